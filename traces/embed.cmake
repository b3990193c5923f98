# Turns a file into a C array (cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake),
# so the viewer ships inside the binary without xxd.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN} by embed.cmake; do not edit. */\n"
                  "extern const char ${NAME}[];\n"
                  "const char ${NAME}[] = {\n${bytes}0x00};\n")
