// The torch.save reader (harness/model/torch_save_reader.cpp) and weights loading
// (harness/model/weights.cpp) on any bytes as a file: the zip container, then the pickle.
// Both document std::runtime_error; anything else escaping is a finding.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_util.h"
#include "harness/model/torch_save_reader.h"
#include "harness/model/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = lb::fuzz::scratch_path(".pt");
  static lb::VisionTransformer model(lb::vit_config("vit_micro", 10));
  lb::fuzz::write_file(path, data, size);
  try {
    lb::LoadWeightsOptions options;
    options.replace_head = size % 2 == 1;
    lb::load_weights(model, path, options);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
