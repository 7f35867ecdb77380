#include "harness/model/add_layer_norm.h"

#include <c10/core/DeviceGuard.h>
#include <torch/autograd.h>

#include <stdexcept>
#include <string>

#include "harness/model/kernel_support.h"
#include "harness/util/device.h"
#include "kernels/add_layer_norm.h"

namespace lb {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("add_layer_norm: " + what);
}

// Saved for backward: the sum (the next block's residual, kept anyway), the rows' mean and rstd
// ([2, rows], float32) and gamma. Eager saves the same: LayerNorm keeps its input and statistics.
struct AddLayerNormFunction : torch::autograd::Function<AddLayerNormFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::Tensor residual,
                                                torch::Tensor branch, torch::Tensor gamma, torch::Tensor beta,
                                                double eps) {
    const c10::DeviceGuard on(residual.device());  // our kernels launch on the current device
    // The last block's sum is used by nobody: its gradient stays undefined rather than zeros to read.
    ctx->set_materialize_grads(false);
    residual = residual.contiguous();
    branch = branch.contiguous();
    gamma = gamma.contiguous();
    beta = beta.contiguous();
    const auto cols = residual.size(-1), rows = residual.numel() / cols;
    auto sum = torch::empty(residual.sizes(), residual.options());
    auto normed = torch::empty(residual.sizes(), branch.options());
    auto stats = torch::empty({2, rows}, residual.options());
    AddLayerNormForward f;
    f.rows = rows;
    f.cols = int(cols);
    f.eps = float(eps);
    f.residual = residual.data_ptr<float>();
    f.branch = branch.data_ptr();
    f.branch_type = f.normed_type = storage_of(branch.scalar_type());
    f.gamma = gamma.data_ptr<float>();
    f.beta = beta.data_ptr<float>();
    f.sum = sum.data_ptr<float>();
    f.normed = normed.data_ptr();
    f.mean = stats[0].data_ptr<float>();
    f.rstd = stats[1].data_ptr<float>();
    if (residual.is_cpu()) {
      add_layer_norm_forward_cpu(f);
    } else {
#if defined(LB_WITH_GPU_KERNELS)
      add_layer_norm_forward_gpu(f, current_stream(residual.device()));
#else
      throw std::logic_error("add_layer_norm: no GPU kernels in this build");
#endif
    }
    ctx->save_for_backward({sum, stats, gamma});
    ctx->saved_data["branch_dtype"] = static_cast<std::int64_t>(branch.scalar_type());
    return {sum, normed};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &sum = saved[0], &stats = saved[1], &gamma = saved[2];
    const c10::DeviceGuard on(sum.device());
    const auto branch_dtype = static_cast<torch::ScalarType>(ctx->saved_data["branch_dtype"].toInt());
    const auto cols = sum.size(-1), rows = sum.numel() / cols;
    // An output nobody used has no gradient: zeros for the normalised one, nothing added for the sum.
    auto d_normed = grads[1].defined() ? grads[1].to(branch_dtype).contiguous()
                                       : torch::zeros(sum.sizes(), sum.options().dtype(branch_dtype));
    auto d_sum = grads[0].defined() ? grads[0].to(torch::kFloat).contiguous() : torch::Tensor();
    auto d_residual = torch::empty(sum.sizes(), sum.options());
    auto d_branch = torch::empty(sum.sizes(), sum.options().dtype(branch_dtype));
    auto d_gamma = torch::empty({cols}, sum.options()), d_beta = torch::empty({cols}, sum.options());
    AddLayerNormBackward b;
    b.rows = rows;
    b.cols = int(cols);
    b.d_normed = d_normed.data_ptr();
    b.d_normed_type = b.d_branch_type = storage_of(branch_dtype);
    b.d_sum = d_sum.defined() ? d_sum.data_ptr<float>() : nullptr;
    b.sum = sum.data_ptr<float>();
    b.mean = stats[0].data_ptr<float>();
    b.rstd = stats[1].data_ptr<float>();
    b.gamma = gamma.data_ptr<float>();
    b.d_residual = d_residual.data_ptr<float>();
    b.d_branch = d_branch.data_ptr();
    b.d_gamma = d_gamma.data_ptr<float>();
    b.d_beta = d_beta.data_ptr<float>();
    if (sum.is_cpu()) {
      add_layer_norm_backward_cpu(b);
    } else {
#if defined(LB_WITH_GPU_KERNELS)
      auto partials = torch::empty({2 * column_groups(rows) * cols}, sum.options());
      b.partials = partials.data_ptr<float>();
      add_layer_norm_backward_gpu(b, current_stream(sum.device()));
#else
      throw std::logic_error("add_layer_norm: no GPU kernels in this build");
#endif
    }
    return {d_residual, d_branch, d_gamma, d_beta, torch::Tensor()};
  }
};

}  // namespace

std::pair<torch::Tensor, torch::Tensor> add_layer_norm(const torch::Tensor& residual, const torch::Tensor& branch,
                                                       const torch::nn::LayerNorm& ln) {
  const auto& o = ln->options;
  require(residual.scalar_type() == torch::kFloat,
          std::string("the residual is ") + c10::toString(residual.scalar_type()) + ", expected Float");
  require(branch.scalar_type() == torch::kFloat || branch.scalar_type() == torch::kBFloat16,
          std::string("the branch is ") + c10::toString(branch.scalar_type()) + ", expected Float or BFloat16");
  require(residual.dim() >= 1 && residual.sizes() == branch.sizes() && residual.device() == branch.device(),
          "the residual and the branch differ in shape or device");
  require(residual.numel() > 0, "the tensors are empty");
  require(o.elementwise_affine() && o.normalized_shape().size() == 1 &&
              o.normalized_shape()[0] == residual.size(-1) && ln->weight.scalar_type() == torch::kFloat &&
              ln->bias.scalar_type() == torch::kFloat && ln->weight.device() == residual.device() &&
              ln->bias.device() == residual.device(),
          "the LayerNorm is not an affine float32 one over the last dimension on the tensors' device");
  if (!fused_kernels_available(residual.device()))
    throw std::logic_error("add_layer_norm on " + residual.device().str() +
                           ": the harness was built without the GPU kernels (LB_WITH_GPU_KERNELS)");
  auto out = AddLayerNormFunction::apply(residual, branch, ln->weight, ln->bias, o.eps());
  return {out[0], out[1]};
}

}  // namespace lb
