# Warning and sanitizer flags shared by every target of ours.
add_library(cf_flags INTERFACE)
# C17 without GNU extensions, plus the POSIX 2008 interfaces (clock_gettime, strdup).
target_compile_definitions(cf_flags INTERFACE $<$<COMPILE_LANGUAGE:C>:_DEFAULT_SOURCE>)
# Error messages name files from the project root ("graph/parse.c:12"), not
# from wherever the tree was checked out.
target_compile_options(cf_flags INTERFACE
  $<$<COMPILE_LANGUAGE:C>:-fmacro-prefix-map=${PROJECT_SOURCE_DIR}/=>)
target_compile_options(cf_flags INTERFACE
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter>
  $<$<AND:$<COMPILE_LANGUAGE:C>,$<BOOL:${CF_WERROR}>>:-Werror>)
if(CF_SANITIZE)
  target_compile_options(cf_flags INTERFACE
    $<$<COMPILE_LANGUAGE:C>:-fsanitize=${CF_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all>)
  target_link_options(cf_flags INTERFACE -fsanitize=${CF_SANITIZE})
endif()
