// The live page analyze --watch serves: one self-contained HTML file, Plotly inline (embedded at
// build time, charts/plotly_js.h), no request but to the server that served it, which it polls for
// /api/state (live_json.h) and redraws from: the shown run's status, its loss per step, validation
// accuracy, throughput per rank, data wait and energy so far, and every run of the results file.
#pragma once

#include <string>

namespace lb::analysis::watch {

// The page; `poll_ms` is how often it asks by default (a ?every=SECONDS in its address overrides
// it, from 0.2 to 60 s).
std::string live_page_html(int poll_ms = 2000);

// The Content-Security-Policy of the page: inline script and style only, requests only to the
// server it came from. The page carries it in a <meta> element too (so a saved copy keeps it);
// the server's header adds frame-ancestors, which a <meta> policy may not hold.
inline constexpr const char* kLivePagePolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'";
inline constexpr const char* kLivePageFramePolicy = "frame-ancestors 'none'";

}  // namespace lb::analysis::watch
