// A run recorded by the harness, from either of its two forms: the attributes of a results file's
// run group or of a run journal (common/run_journal.h), typed by the one schema
// (common/results_schema.h), into the RunRecord analyze works on.
#pragma once

#include <string>

#include "analysis/input/run_record.h"
#include "common/results_schema.h"
#include "common/run_journal.h"

namespace lb::analysis {

// Settings, status and run-level figures from the recorded attributes. Absent attributes stay
// unknown; a warning names the ones the comparison needs to place the run.
void fill_from_attributes(const schema::RunAttributes& a, RunRecord& run);

// For a run on more than one node whose gradients did not cross nodes through a network plugin
// (comm_inter_node not "plugin: ..."): one line saying which path they took and that the plugin
// was not used; empty for one node, a plugin, or a file that does not record the path.
std::string inter_node_warning(const RunSettings& s);

// A run that is still in its journal (running, or its process died before folding it in): the
// whole RunRecord, marked as read from the journal.
RunRecord run_record_from_journal(const RunData& data, const std::string& journal_path);

}  // namespace lb::analysis
