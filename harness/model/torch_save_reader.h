// Reads the files that Python's torch.save() writes (zip container, pickle protocol 2) when what
// was saved is a (possibly nested) dict/OrderedDict/list of tensors and plain values: state_dicts,
// checkpoints, test fixtures. LibTorch 1.13's torch::pickle_load turns every collections.OrderedDict
// into None ("Expected GenericDict but got None"), which rules it out for state_dicts.
#pragma once

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lb {

// A decoded pickle value. Only the kinds torch.save produces for the objects above are modelled;
// anything else (a custom class) becomes `opaque`, an error only if its content is asked for.
struct PickleValue {
  enum class Kind { none, boolean, integer, real, string, tensor, list, dict, global, opaque };
  Kind kind = Kind::none;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;  // string; for global: "module.name"; for opaque: what built it
  torch::Tensor t;
  std::vector<std::shared_ptr<PickleValue>> items;  // list or tuple
  std::vector<std::pair<std::string, std::shared_ptr<PickleValue>>> entries;  // dict, in order

  const PickleValue* find(const std::string& key) const;  // dict lookup, nullptr if absent
};

// Throws std::runtime_error naming `path` when the file is missing, not a torch.save zip file
// (e.g. the pre-1.6 legacy format) or uses pickle features outside the subset above.
std::shared_ptr<PickleValue> read_torch_save(const std::string& path);

// The tensors of a state_dict, in file order. Accepts a bare state_dict or a checkpoint dict that
// holds one under "state_dict", "model" or "model_state_dict". Throws when none is found.
std::vector<std::pair<std::string, torch::Tensor>> read_state_dict(const std::string& path);

}  // namespace lb
