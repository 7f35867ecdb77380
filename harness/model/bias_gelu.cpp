#include "harness/model/bias_gelu.h"

#include <c10/core/DeviceGuard.h>
#include <torch/autograd.h>

#include <stdexcept>
#include <string>

#include "harness/model/kernel_support.h"
#include "harness/util/device.h"
#include "kernels/bias_gelu.h"

namespace lb {
namespace {

// gelu(pre) with `bias` an input only for its gradient: the product that made `pre` was given the
// bias detached, so its backward sums no bias gradient and this one's kernel does, as it writes
// GELU's input gradient. Saved for backward: `pre`, as eager's gelu saves its input.
struct GeluWithBiasGradient : torch::autograd::Function<GeluWithBiasGradient> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::Tensor pre,
                                                torch::Tensor bias) {
    pre = pre.contiguous();
    ctx->save_for_backward({pre});
    ctx->saved_data["bias_dtype"] = static_cast<std::int64_t>(bias.scalar_type());
    return {torch::gelu(pre)};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto pre = ctx->get_saved_variables()[0];
    const c10::DeviceGuard on(pre.device());  // our kernels launch on the current device
    const auto bias_dtype = static_cast<torch::ScalarType>(ctx->saved_data["bias_dtype"].toInt());
    const auto cols = pre.size(-1), rows = pre.numel() / cols;
    const auto d_out = grads[0].to(pre.scalar_type()).contiguous();
    auto d_pre = torch::empty_like(pre);
    auto d_bias = torch::empty({cols}, pre.options().dtype(torch::kFloat));
    BiasGeluBackward b;
    b.rows = rows;
    b.cols = int(cols);
    b.pre = pre.data_ptr();
    b.d_out = d_out.data_ptr();
    b.type = b.d_bias_rounding = storage_of(pre.scalar_type());
    b.d_pre = d_pre.data_ptr();
    b.d_bias = d_bias.data_ptr<float>();
    if (pre.is_cpu()) {
      bias_gelu_backward_cpu(b);
    } else {
#if defined(LB_WITH_GPU_KERNELS)
      auto partials = torch::empty({column_groups(rows) * cols}, d_bias.options());
      b.partials = partials.data_ptr<float>();
      bias_gelu_backward_gpu(b, current_stream(pre.device()));
#else
      throw std::logic_error("bias_gelu: no GPU kernels in this build");
#endif
    }
    // Under autocast eager's bias gradient is that of the bias cast to the product's dtype: the sum
    // rounded to that dtype, then cast back. The kernel rounds it so (d_bias_rounding).
    return {d_pre, d_bias.to(bias_dtype)};
  }
};

}  // namespace

torch::Tensor linear_gelu(const torch::Tensor& x, const torch::nn::Linear& fc) {
  if (!fused_kernels_available(x.device()))
    throw std::logic_error("linear_gelu on " + x.device().str() +
                           ": the harness was built without the GPU kernels (LB_WITH_GPU_KERNELS)");
  if (!fc->bias.defined() || fc->bias.dim() != 1)
    throw std::invalid_argument("linear_gelu: the linear layer has no bias vector");
  auto pre = torch::linear(x, fc->weight, fc->bias.detach());
  if (pre.scalar_type() != torch::kFloat && pre.scalar_type() != torch::kBFloat16)
    throw std::invalid_argument(std::string("linear_gelu: the product is ") + c10::toString(pre.scalar_type()) +
                                ", expected Float or BFloat16");
  if (pre.numel() == 0) throw std::invalid_argument("linear_gelu: the input is empty");
  return GeluWithBiasGradient::apply(pre, fc->bias)[0];
}

}  // namespace lb
