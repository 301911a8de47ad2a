# The analysis (collector/analysis/): lock graph, analyzer, report text,
# suppressions, the model and its finding kinds. All link only
# lockscope_analysis (no proto, no trace I/O).
lockscope_unit_test(lock_graph_test
  SOURCES collector/analysis/lock_graph_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(analyzer_test
  SOURCES collector/analysis/analyzer_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(report_test
  SOURCES collector/analysis/report_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(suppressions_test
  SOURCES collector/analysis/suppressions_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(model_test
  SOURCES collector/analysis/model_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(finding_kinds_test
  SOURCES collector/analysis/finding_kinds_test.cc
  LIBS lockscope_analysis)
# Names from traces made safe for terminals (report text, viewer text).
lockscope_unit_test(printable_test
  SOURCES collector/analysis/printable_test.cc
  LIBS lockscope_analysis)
# The cross-trace merge, called directly on traces built in memory.
lockscope_unit_test(merge_analysis_test
  SOURCES collector/analysis/merge_analysis_test.cc
  LIBS lockscope_analysis)
# Baselines: fingerprints stable across runs, builds and checkouts, and the
# baseline file format.
lockscope_unit_test(fingerprint_test
  SOURCES collector/analysis/fingerprint_test.cc
  LIBS lockscope_analysis)
lockscope_unit_test(baseline_test
  SOURCES collector/analysis/baseline_test.cc
  LIBS lockscope_analysis)
# Declared lock-order files: syntax, contradictions, violations.
lockscope_unit_test(lock_order_file_test
  SOURCES collector/analysis/lock_order_file_test.cc
  LIBS lockscope_analysis)
# Which frames of a stack reports start at and fold.
lockscope_unit_test(user_frames_test
  SOURCES collector/analysis/user_frames_test.cc
  LIBS lockscope_analysis)
