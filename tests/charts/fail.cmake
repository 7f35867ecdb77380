# Used as a test command when a tool the test needs is missing: the test fails and says why.
message(FATAL_ERROR "${LB_FAIL_MESSAGE}")
