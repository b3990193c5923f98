/* A small XML well-formedness checker for tests: balanced tags, quoted
 * attributes, known entities, one root. Returns NULL or what is wrong. */
#ifndef CF_TESTS_XML_CHECK_H
#define CF_TESTS_XML_CHECK_H

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *xml_entity_ok(const char *p) {
  static const char *const ents[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
  for (int i = 0; i < 5; i++)
    if (strncmp(p, ents[i], strlen(ents[i])) == 0) return p + strlen(ents[i]);
  return NULL;
}

static const char *xml_check(const char *doc, int *nelements) {
  static char err[128];
  const char *stack[256];
  size_t lens[256];
  int depth = 0, roots = 0;
  *nelements = 0;
  const char *p = doc;
  if (strncmp(p, "<?xml", 5) == 0) {
    p = strstr(p, "?>");
    if (!p) return "unterminated XML declaration";
    p += 2;
  }
  while (*p) {
    if (*p == '&') {
      if (!(p = xml_entity_ok(p))) return "bad entity in text";
      continue;
    }
    if (*p != '<') {
      p++;
      continue;
    }
    if (strncmp(p, "<!--", 4) == 0) {
      p = strstr(p, "-->");
      if (!p) return "unterminated comment";
      p += 3;
      continue;
    }
    bool closing = p[1] == '/';
    p += closing ? 2 : 1;
    const char *name = p;
    while (isalnum((unsigned char)*p) || *p == '-' || *p == ':' || *p == '_')
      p++;
    size_t nlen = (size_t)(p - name);
    if (!nlen) return "empty tag name";
    if (closing) {
      if (*p != '>') return "junk in closing tag";
      p++;
      if (!depth || lens[depth - 1] != nlen || strncmp(stack[depth - 1], name, nlen) != 0) {
        snprintf(err, sizeof err, "mismatched </%.*s>", (int)nlen, name);
        return err;
      }
      depth--;
      continue;
    }
    (*nelements)++;
    if (!depth) roots++;
    for (;;) {
      while (isspace((unsigned char)*p))
        p++;
      if (*p == '/' && p[1] == '>') {
        p += 2;
        break;
      }
      if (*p == '>') {
        p++;
        if (depth == 256) return "too deep";
        stack[depth] = name;
        lens[depth++] = nlen;
        break;
      }
      const char *an = p;
      while (isalnum((unsigned char)*p) || *p == '-' || *p == ':' || *p == '_')
        p++;
      if (p == an) return "bad attribute name";
      if (*p++ != '=') return "attribute without '='";
      char q = *p++;
      if (q != '"' && q != '\'') return "unquoted attribute";
      while (*p && *p != q) {
        if (*p == '<') return "'<' in an attribute";
        if (*p == '&') {
          if (!(p = xml_entity_ok(p))) return "bad entity in an attribute";
          continue;
        }
        p++;
      }
      if (!*p) return "unterminated attribute";
      p++;
    }
  }
  if (depth) return "unclosed element";
  if (roots != 1) return "not exactly one root element";
  return NULL;
}

static int count_str(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

#endif
