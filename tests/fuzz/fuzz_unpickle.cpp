// The torch.save reader's unpickler: the input is the pickle (data.pkl) of a well-formed torch.save
// zip written here with LibTorch's own writer, next to one 64-byte storage record "data/0", so that
// the fuzzer spends its time on the pickle rather than on the zip container.
#include <caffe2/serialize/inline_container.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_util.h"
#include "harness/model/torch_save_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = lb::fuzz::scratch_path(".pt");
  {
    caffe2::serialize::PyTorchStreamWriter writer(path);
    writer.writeRecord("data.pkl", data, size);
    static const char storage[64] = {};
    writer.writeRecord("data/0", storage, sizeof storage);
    writer.writeEndOfFile();
  }
  try {
    (void)lb::read_state_dict(path);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
