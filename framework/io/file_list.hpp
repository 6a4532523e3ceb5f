#pragma once
// The files a user names on the command line: files, folders (searched
// recursively for a file-name pattern) and shell patterns, sorted by file
// name (products and reanalyses name their files by time) and without repeats.
#include <string>
#include <vector>

namespace landda::io {

// Throws InputError when an input does not exist or nothing matches.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, const std::string& pattern);

}  // namespace landda::io
