# Collector analysis core: lock graph, analyzer, report text, suppressions
# and the model's names. All link only lockscope_collector.
lockscope_unit_test(lock_graph_test
  SOURCES collector/lock_graph_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(analyzer_test
  SOURCES collector/analyzer_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(report_test
  SOURCES collector/report_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(suppressions_test
  SOURCES collector/suppressions_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(model_test
  SOURCES collector/model_test.cc
  LIBS lockscope_collector)
