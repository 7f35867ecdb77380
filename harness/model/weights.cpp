#include "harness/model/weights.h"

#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/model/torch_save_reader.h"

namespace lb {
namespace {

constexpr size_t kListed = 5;  // mismatches named in the error, per kind

std::string shape_str(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

bool is_head(const std::string& key) { return key.rfind("heads.head.", 0) == 0; }

}  // namespace

namespace {
void load_weights_unchecked(VisionTransformer& model, const std::string& path, const LoadWeightsOptions& opts);
}  // namespace

// Every failure reaches the caller as std::runtime_error naming the file (an input error): LibTorch
// reports its own as c10::Error, and a file that claims more than memory holds as std::bad_alloc.
void load_weights(VisionTransformer& model, const std::string& path, const LoadWeightsOptions& opts) {
  try {
    load_weights_unchecked(model, path, opts);
  } catch (const std::runtime_error&) {
    throw;
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": " + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(path + ": needs more memory than this machine has (a damaged file?)");
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

namespace {
void load_weights_unchecked(VisionTransformer& model, const std::string& path, const LoadWeightsOptions& opts) {
  auto file = read_state_dict(path);
  auto params = model->named_parameters(/*recurse=*/true);
  auto buffers = model->named_buffers(/*recurse=*/true);

  std::vector<std::string> missing, unexpected, mismatched;
  std::set<std::string> seen;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  bool skip_head = false;
  for (const auto& [key, value] : file) {
    torch::Tensor* target = params.find(key);
    if (!target) target = buffers.find(key);
    if (!target) {
      unexpected.push_back(key);
      continue;
    }
    seen.insert(key);
    if (target->sizes() != value.sizes()) {
      if (opts.replace_head && is_head(key)) {
        skip_head = true;
        continue;
      }
      mismatched.push_back(key + " (file " + shape_str(value) + ", model " + shape_str(*target) + ")");
      continue;
    }
    copies.emplace_back(*target, value);
  }
  for (const auto& item : params) {
    if (!seen.count(item.key())) missing.push_back(item.key());
  }

  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::ostringstream os;
    os << path << ": does not fit model " << model->config().name << " with " << model->config().num_classes
       << " classes:";
    auto list = [&](const char* what, const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      os << " " << keys.size() << " " << what << " (";
      for (size_t i = 0; i < std::min(keys.size(), kListed); ++i) os << (i ? ", " : "") << keys[i];
      os << (keys.size() > kListed ? ", ...)" : ")") << ";";
    };
    list("missing", missing);
    list("unexpected", unexpected);
    list("shape mismatches", mismatched);
    if (!opts.replace_head && !mismatched.empty() && is_head(mismatched.front()))
      os << " to fine-tune on another class count, ask for a new head (--replace-head)";
    throw std::runtime_error(os.str());
  }

  torch::NoGradGuard no_grad;
  for (auto& [target, value] : copies) target.copy_(value);
  if (skip_head) model->replace_head(model->config().num_classes);
}
}  // namespace

}  // namespace lb
