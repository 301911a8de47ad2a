# The runtime: options, and end-to-end findings with real threads.
lockscope_unit_test(options_test
  SOURCES runtime/options_test.cc
  LIBS lockscope_runtime)
lockscope_unit_test(findings_e2e_test
  SOURCES runtime/findings_e2e_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
lockscope_unit_test(watchdog_test
  SOURCES runtime/watchdog_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:watchdog_ms=100")
