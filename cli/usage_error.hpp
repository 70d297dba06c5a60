/* A command line that cannot be run: the binaries print "NAME: what()" and their usage, and exit 2. */
#pragma once

#include <stdexcept>

namespace ibmig::cli {

class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace ibmig::cli
