/* td-fuzz.h: what every fuzz target defines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A target is one .c file with LLVMFuzzerTestOneInput (). It is linked
 * either with libFuzzer (clang -fsanitize=fuzzer, -Dfuzzing=true) or with
 * fuzz-main.c, which replays a corpus in every build.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
