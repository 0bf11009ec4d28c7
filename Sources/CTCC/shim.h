#include <libtcc.h>
