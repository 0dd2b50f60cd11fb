#pragma once
#include <fuzzy.h>
