#ifndef SENSEGATE_CYAML_SHIM_H
#define SENSEGATE_CYAML_SHIM_H
#include <yaml.h>
#endif
