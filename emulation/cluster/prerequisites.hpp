/* What a run needs before anything is built: tools and privileges on this machine (missing_prerequisites), names
 * the kernel accepts (check_emulatable_names) and memory for the bricks (memory_for_bricks), all declared in
 * emulator.hpp; here what the run itself reads from the machine. */
#pragma once

#include "units.hpp"

namespace ibmig::emu {

/* MemAvailable from /proc/meminfo; 0 when it cannot be read. */
Bytes available_memory();

} // namespace ibmig::emu
