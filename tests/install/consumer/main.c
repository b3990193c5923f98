/* A program outside the tree that uses the installed library. */
#include <stdio.h>

#include <cipherflow/status.h>
#include <cipherflow/version.h>

int main(void) {
  printf("consumer: cipherflow %s (%s)\n", cf_version(), cf_status_name(CF_EINVAL));
  return 0;
}
