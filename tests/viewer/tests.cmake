# The viewer. Unit tests link the viewer library directly; the CLI tests run
# the built `lockscope` binary end to end on traces the tests write with
# collector::TraceWriter.
lockscope_unit_test(viewer_output_test
  SOURCES viewer/output_test.cc viewer/json_checker.cc
  LIBS lockscope_viewer lockscope_collector)
lockscope_unit_test(viewer_setid_check_test
  SOURCES viewer/setid_check_test.cc
  LIBS lockscope_viewer)
lockscope_unit_test(viewer_trace_set_test
  SOURCES viewer/trace_set_test.cc viewer/test_traces.cc
  LIBS lockscope_viewer lockscope_collector)
# What the CLI reaches only through `check`, called directly: the verdict
# policy (the merge of several traces: collector/analysis/merge_analysis_test).
lockscope_unit_test(viewer_verdict_test
  SOURCES viewer/verdict_test.cc viewer/test_traces.cc
  LIBS lockscope_viewer lockscope_collector)
# The CLI's main() in-process: viewer/main.cc compiled again with main
# renamed (viewer/cli_main.cc).
lockscope_unit_test(viewer_main_inprocess_test
  SOURCES viewer/main_inprocess_test.cc viewer/cli_main.cc
          viewer/test_traces.cc
  LIBS lockscope_viewer lockscope_collector CLI11::CLI11)

# One binary for the end-to-end tests, one source file per subcommand.
lockscope_unit_test(viewer_cli_test
  SOURCES viewer/main_test.cc
          viewer/summary_test.cc
          viewer/cycles_test.cc
          viewer/borrows_test.cc
          viewer/locks_test.cc
          viewer/events_test.cc
          viewer/graph_test.cc
          viewer/check_test.cc
          viewer/check_json_test.cc
          viewer/check_sarif_test.cc
          viewer/baseline_test.cc
          viewer/order_test.cc
          viewer/full_stacks_test.cc
          viewer/merge_test.cc
          viewer/export_test.cc
          viewer/hostile_trace_test.cc
          viewer/output_files_test.cc
          viewer/report_test.cc
          viewer/cli_fixture.cc
          viewer/run_cli.cc
          viewer/json_checker.cc
          viewer/test_traces.cc
  LIBS lockscope_trace_io)
target_compile_definitions(viewer_cli_test PRIVATE
  LOCKSCOPE_CLI_PATH="$<TARGET_FILE:lockscope_cli>")
add_dependencies(viewer_cli_test lockscope_cli)

# The HTML report's generator in-process (escaping, layouts, timeline).
lockscope_unit_test(viewer_html_report_test
  SOURCES viewer/html_report_test.cc viewer/test_traces.cc
  LIBS lockscope_viewer lockscope_collector)

# The report opened in headless Chromium. Registered whenever the CLI and
# the demo are built, outside the sanitizer jobs (the page is the same; the
# generator's memory safety is viewer_html_report_test's there, and under
# ASan the demo page's run hit the 120 s limit once, not understood yet);
# Chromium is looked up when the test runs, and its absence fails the test
# (scripts/setup.sh installs it), never skips it.
if(TARGET lockscope_demo AND NOT LOCKSCOPE_SANITIZE)
  lockscope_unit_test(viewer_report_browser_test
    SOURCES viewer/report_browser_test.cc viewer/test_traces.cc
            viewer/json_checker.cc
    LIBS lockscope_trace_io absl::strings)
  target_compile_definitions(viewer_report_browser_test PRIVATE
    LOCKSCOPE_CLI_PATH="$<TARGET_FILE:lockscope_cli>"
    LOCKSCOPE_DEMO_PATH="$<TARGET_FILE:lockscope_demo>"
    LOCKSCOPE_REPORT_ARTIFACTS="${CMAKE_CURRENT_BINARY_DIR}/report_browser")
  add_dependencies(viewer_report_browser_test lockscope_cli lockscope_demo)
endif()
