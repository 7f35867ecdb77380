// CSV parsing and the W&B / reference importers, on exports written here.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/input/csv_reader.h"
#include "analysis/input/table_import.h"

using namespace lb::analysis;

TEST(Csv, QuotingEmbeddedCommasNewlinesAndDoubledQuotes) {
  const std::string text =
      "\xEF\xBB\xBF" "Name,Notes,Runtime\r\n"
      "\"run, one\",\"line1\nline2 \"\"quoted\"\"\",12.5\r\n"
      "plain,,7\n"
      "\n"
      "last,\"\",";
  const CsvParseResult r = parse_csv(text);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.table.header, (std::vector<std::string>{"Name", "Notes", "Runtime"}));
  ASSERT_EQ(r.table.rows.size(), 3u);
  EXPECT_EQ(r.table.rows[0][0], "run, one");
  EXPECT_EQ(r.table.rows[0][1], "line1\nline2 \"quoted\"");
  EXPECT_EQ(r.table.rows[0][2], "12.5");
  EXPECT_EQ(r.table.rows[1], (std::vector<std::string>{"plain", "", "7"}));
  EXPECT_EQ(r.table.rows[2], (std::vector<std::string>{"last", "", ""}));
  EXPECT_EQ(r.table.row_lines[0], 2);
  EXPECT_EQ(r.table.row_lines[1], 4);  // the quoted newline counts
}

TEST(Csv, CommentsOnlyBeforeTheHeader) {
  const CsvParseResult r = parse_csv("# source: somewhere\n# more\nA,B\n#x,1\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.table.header, (std::vector<std::string>{"A", "B"}));
  ASSERT_EQ(r.table.rows.size(), 1u);
  EXPECT_EQ(r.table.rows[0][0], "#x");
}

TEST(Csv, MalformedInputIsAnErrorWithALine) {
  const CsvParseResult open = parse_csv("A,B\n\"unterminated,1\n");
  EXPECT_FALSE(open.ok);
  EXPECT_NE(open.error.find("line 2"), std::string::npos);
  EXPECT_NE(open.error.find("unterminated"), std::string::npos);
  EXPECT_FALSE(parse_csv("A,B\nx\"y,1\n").ok);
  EXPECT_FALSE(parse_csv("").ok);
}

TEST(Csv, CellQuotingRoundTrips) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  const CsvParseResult r = parse_csv("x\n" + csv_cell("multi\nline, \"q\"") + "\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.table.rows[0][0], "multi\nline, \"q\"");
}

namespace {

// An export as the guide's Python runs produce: quoted cells, empty cells, an unknown column,
// runs that failed or crashed, and a column order of its own.
const char* kExport =
    "\"Name\",\"State\",\"Notes\",\"User\",\"Tags\",\"Created\",\"Runtime\",\"epochs\",\"batch_size_per_gpu\","
    "\"effective_batch_size\",\"total_gpus\",\"nodes\",\"learning_rate\",\"base_learning_rate\",\"warmup_epochs\","
    "\"scaling_strategy\",\"architecture\",\"device_type\",\"val_accuracy\",\"acc\",\"epoch_duration_minutes\","
    "\"subset_percentage\",\"extrapolated_total_time_hr\",\"extrapolated_epoch_time_hr\",\"cpu_model\","
    "\"pytorch_threads\",\"_wandb_internal\"\n"
    "\"vit-8gpu\",\"finished\",\"first line, with comma\nsecond line\",\"alice\",\"lumi,ddp\",\"2024-05-01T10:00:00\","
    "\"963\",\"10\",\"32\",\"256\",\"8\",\"1\",\"0.0008\",\"0.0001\",\"1\",\"linear\",\"ViT-B/16\",\"cuda\",\"0.981\",\"\","
    "\"1.5\",\"\",\"\",\"\",\"\",\"\",\"x\"\n"
    "\"vit-16gpu\",\"failed\",\"\",\"alice\",\"\",\"\",\"120\",\"10\",\"32\",\"512\",\"16\",\"2\",\"\",\"\",\"\",\"\","
    "\"vit_b_16\",\"cuda\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n"
    "\"laptop-2pct\",\"crashed\",\"\",\"bob\",\"\",\"\",\"3600\",\"3\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"vit_b_16\","
    "\"cpu\",\"\",\"\",\"12.5\",\"2\",\"54.09\",\"18.03\",\"Intel Core i7-1185G7\",\"8\",\"\"\n";

}  // namespace

TEST(WandbImport, MapsKnownColumnsAndKeepsEveryRun) {
  const TableImportResult r = import_run_table_text(kExport, "exports/guide.csv", TableKind::WandbExport);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.runs.size(), 3u);

  const RunRecord& gpu = r.runs[0];
  EXPECT_EQ(gpu.run_id, "vit-8gpu");
  EXPECT_EQ(gpu.origin, Origin::Imported);
  EXPECT_EQ(gpu.source_label, "W&B guide");
  EXPECT_EQ(gpu.status, RunStatus::Completed);
  EXPECT_EQ(gpu.imported.runtime_s, 963.0);
  EXPECT_EQ(gpu.settings.epochs, 10);
  EXPECT_EQ(gpu.settings.batch_size, 32);
  EXPECT_EQ(gpu.settings.global_batch_size, 256);
  EXPECT_EQ(gpu.settings.gpus, 8);
  EXPECT_EQ(gpu.settings.nodes, 1);
  EXPECT_EQ(gpu.settings.device, "gpu");
  EXPECT_EQ(gpu.settings.model, "vit_b_16");
  EXPECT_DOUBLE_EQ(*gpu.settings.lr, 0.0008);
  // val_accuracy values are all <= 1 in this export: read as fractions.
  EXPECT_NEAR(*gpu.imported.val_accuracy_pct, 98.1, 1e-9);
  EXPECT_DOUBLE_EQ(*gpu.imported.epoch_time_s, 90.0);
  // Unknown stays unknown: the export has no precision, dataset or optimizer.
  EXPECT_FALSE(gpu.settings.precision);
  EXPECT_FALSE(gpu.settings.full_train_samples);
  EXPECT_FALSE(gpu.settings.optimizer);
  EXPECT_FALSE(gpu.settings.pretrained);

  const RunRecord& failed = r.runs[1];
  EXPECT_EQ(failed.status, RunStatus::Failed);
  EXPECT_FALSE(failed.settings.lr);
  EXPECT_FALSE(failed.imported.val_accuracy_pct);

  const RunRecord& laptop = r.runs[2];
  EXPECT_EQ(laptop.status, RunStatus::Crashed);
  EXPECT_EQ(laptop.settings.device, "cpu");
  EXPECT_EQ(laptop.settings.gpus, 0);
  EXPECT_EQ(laptop.settings.threads, 8);
  EXPECT_EQ(laptop.settings.device_model, "Intel Core i7-1185G7");
  EXPECT_DOUBLE_EQ(*laptop.settings.subset_fraction, 0.02);
  EXPECT_TRUE(laptop.is_subset());
  EXPECT_NEAR(*laptop.imported.extrapolated_total_s, 54.09 * 3600, 1e-6);
  EXPECT_NEAR(*laptop.imported.extrapolated_epoch_s, 18.03 * 3600, 1e-6);

  ASSERT_FALSE(r.messages.empty());
  EXPECT_NE(r.messages[0].find("ignored unknown columns: _wandb_internal"), std::string::npos);
}

TEST(WandbImport, PercentAccuracyAndBadCellsNamed) {
  const std::string text =
      "Name,State,Runtime,val_accuracy,epochs\n"
      "a,finished,100,57.6,10\n"
      "b,finished,abc,0.5,2.5\n";
  const TableImportResult r = import_run_table_text(text, "t.csv", TableKind::WandbExport);
  ASSERT_TRUE(r.ok);
  EXPECT_NEAR(*r.runs[0].imported.val_accuracy_pct, 57.6, 1e-12);  // column holds a value > 1
  EXPECT_NEAR(*r.runs[1].imported.val_accuracy_pct, 0.5, 1e-12);
  EXPECT_FALSE(r.runs[1].imported.runtime_s);
  EXPECT_FALSE(r.runs[1].settings.epochs);
  bool runtime_named = false, epochs_named = false;
  for (const auto& m : r.messages) {
    runtime_named |= m.find("t.csv line 3: column 'runtime': 'abc' is not a number") != std::string::npos;
    epochs_named |= m.find("t.csv line 3: column 'epochs': expected a whole number") != std::string::npos;
  }
  EXPECT_TRUE(runtime_named);
  EXPECT_TRUE(epochs_named);
}

TEST(WandbImport, AccColumnIsUsedOnlyAsAFallbackAndSaysSo) {
  const TableImportResult r =
      import_run_table_text("Name,Runtime,acc,epochs\nx,10,0.9,1\n", "t.csv", TableKind::WandbExport);
  ASSERT_TRUE(r.ok);
  EXPECT_NEAR(*r.runs[0].imported.val_accuracy_pct, 90.0, 1e-12);
  ASSERT_FALSE(r.runs[0].warnings.empty());
  EXPECT_NE(r.runs[0].warnings[0].find("'acc'"), std::string::npos);
}

TEST(WandbImport, ForeignTablesAreRefusedByName) {
  const TableImportResult r = import_run_table_text("city,population\nOulu,200000\n", "cities.csv", TableKind::WandbExport);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("cities.csv"), std::string::npos);
  EXPECT_NE(r.error.find("'Name' or 'Runtime'"), std::string::npos);
  const TableImportResult missing = import_run_table("/nonexistent/dir/export.csv", TableKind::WandbExport);
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("/nonexistent/dir/export.csv: cannot open"), std::string::npos);
}

TEST(ReferenceImport, ShippedGuideFileHoldsThePublishedFacts) {
  const TableImportResult r = import_run_table(LB_REFERENCE_CSV, TableKind::Reference);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.runs.size(), 10u);
  struct Fact {
    int gpus, nodes, epochs, batch;
    double runtime, accuracy;
  };
  const Fact facts[] = {{1, 1, 10, 32, 7224, 57.6},  {2, 1, 10, 32, 3700, 90.7}, {4, 1, 10, 32, 1905, 98.0},
                        {8, 1, 10, 32, 963, 98.1},   {16, 2, 10, 32, 524, 82.1}, {24, 3, 10, 32, 399, 67.0},
                        {32, 4, 10, 32, 298, 62.6},  {64, 8, 6, 16, 196, 53.4}};
  for (size_t i = 0; i < 8; ++i) {
    const RunRecord& run = r.runs[i];
    SCOPED_TRACE(run.run_id);
    EXPECT_EQ(run.source_label, "LUMI AI guide");
    EXPECT_TRUE(run.is_imported());
    EXPECT_EQ(run.settings.gpus, facts[i].gpus);
    EXPECT_EQ(run.settings.nodes, facts[i].nodes);
    EXPECT_EQ(run.settings.epochs, facts[i].epochs);
    EXPECT_EQ(run.settings.batch_size, facts[i].batch);
    EXPECT_EQ(run.settings.global_batch_size, facts[i].gpus * facts[i].batch);
    EXPECT_DOUBLE_EQ(*run.imported.runtime_s, facts[i].runtime);
    EXPECT_NEAR(*run.imported.val_accuracy_pct, facts[i].accuracy, 1e-9);
    EXPECT_EQ(run.settings.model, "vit_b_16");
    EXPECT_EQ(run.settings.full_train_samples, 80000);
    EXPECT_EQ(run.settings.pretrained, true);
    EXPECT_EQ(run.settings.optimizer, "adam");
  }
  EXPECT_DOUBLE_EQ(*r.runs[7].settings.lr, 0.003);
  EXPECT_FALSE(r.runs[0].settings.lr);  // not published
  const RunRecord& one_thread = r.runs[8];
  EXPECT_EQ(one_thread.settings.threads, 1);
  EXPECT_DOUBLE_EQ(*one_thread.settings.subset_fraction, 0.01);
  EXPECT_NEAR(*one_thread.imported.extrapolated_total_s, 75.83 * 3600, 1e-6);
  EXPECT_FALSE(one_thread.imported.val_accuracy_pct);  // never measured: never invented
  const RunRecord& eight_threads = r.runs[9];
  EXPECT_EQ(eight_threads.settings.threads, 8);
  EXPECT_DOUBLE_EQ(*eight_threads.settings.subset_fraction, 0.02);
  EXPECT_NEAR(*eight_threads.imported.extrapolated_total_s, 54.09 * 3600, 1e-6);
  EXPECT_EQ(eight_threads.settings.epochs, 3);
}
