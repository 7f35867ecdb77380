// Spellings: the same network, device or dataset arrives written differently from each source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lb::analysis {

// "ViT-B/16", "vit-b-16", "vit_b_16" -> "vit_b_16"; other names lower-cased with '_' separators.
std::string normalize_model_name(const std::string& name);
// "vit_b_16" -> "ViT-B/16"; names that are not torchvision ViTs are returned unchanged.
std::string display_model_name(const std::string& normalized);
// "cpu" -> "cpu"; "cuda", "rocm", "hip", "gpu" -> "gpu"; anything else -> nullopt.
std::optional<std::string> normalize_device_kind(const std::string& device);
// "FP32", "float32" -> "fp32"; "bfloat16" -> "bf16"; "float16", "half" -> "fp16"; others lower-cased.
std::string normalize_precision(const std::string& precision);
// "path/to/tiny-imagenet.h5" -> "tiny-imagenet".
std::string file_stem(const std::string& path);
// Shortest decimal text that reads back to the same double ("0.001", "3e-05", "80000").
std::string format_number(double value);
std::string to_lower(std::string text);
std::string trim(const std::string& text);
// The items, `separator` before each one that some text precedes (an empty first item gets none after it).
std::string join(const std::vector<std::string>& items, const std::string& separator);
// "1 run", "3 runs": a count and its noun, plural unless the count is 1.
std::string counted(int64_t n, const std::string& noun);
// A subset fraction in percent as the reports name it, to 0.01%: 0.02 -> "2%".
std::string subset_percent(double fraction);
// Appends `item` unless `list` holds it already.
void add_unique(std::vector<std::string>& list, const std::string& item);
// Text from the inputs (run names, notes, paths) as a terminal, a Markdown file or a CSV cell
// may show it: C0 and C1 control characters and DEL removed (an ESC would let a run name recolour
// or rewrite the terminal), tabs and (unless `keep_newlines`) line breaks as spaces.
std::string strip_control_characters(const std::string& text, bool keep_newlines = false);

}  // namespace lb::analysis
