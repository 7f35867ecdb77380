#include "analysis/chart_output.h"

#include "analysis/chart_fill.h"

namespace lb::analysis {

ChartOutcome write_charts(const Comparison& cmp, const std::string& out_dir, bool static_images) {
  ChartOutcome outcome;
#ifdef LB_HAVE_CHARTS
  lb::charts::WriteOptions options;
  options.out_dir = out_dir;
  options.static_images = static_images;
  lb::charts::WriteResult result = lb::charts::write_all(to_chart_data(cmp), options);
  outcome.written = std::move(result.written);
  outcome.messages = std::move(result.messages);
#else
  (void)cmp;
  (void)out_dir;
  (void)static_images;
  outcome.messages.push_back("charts are not built into this analyze (no lb_charts target): no charts written");
#endif
  return outcome;
}

}  // namespace lb::analysis
