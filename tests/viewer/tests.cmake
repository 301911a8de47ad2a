# The viewer. Unit tests link the viewer library directly; the CLI tests run
# the built `lockscope` binary end to end on traces the tests write with
# collector::TraceWriter.
lockscope_unit_test(viewer_output_test
  SOURCES viewer/output_test.cc viewer/json_checker.cc
  LIBS lockscope_viewer lockscope_collector)
lockscope_unit_test(viewer_trace_set_test
  SOURCES viewer/trace_set_test.cc viewer/test_traces.cc
  LIBS lockscope_viewer lockscope_collector)
