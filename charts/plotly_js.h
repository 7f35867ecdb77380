// plotly.min.js from the pinned npm package plotly.js-dist-min (charts/package-lock.json),
// compiled into the library at build time (tools/embed_text.cpp), so the HTML charts are written
// without node or network and open offline.
#pragma once

#include <string_view>

namespace lb::charts {

std::string_view plotly_js();

}  // namespace lb::charts
