/* Small text helpers shared by the messages of the model, the checker and the tools. */
#pragma once

#include <string>
#include <vector>

namespace ibmig {

/* "a, b, c" */
inline std::string join(const std::vector<std::string>& words, const std::string& separator = ", ")
{
  std::string s;
  for (size_t i = 0; i < words.size(); i++)
    s += (i ? separator : "") + words[i];
  return s;
}

} // namespace ibmig
