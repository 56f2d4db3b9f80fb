package main

func cmdPredict(e *env, args []string) error { return nil }
func cmdEval(e *env, args []string) error    { return nil }
func cmdBench(e *env, args []string) error   { return nil }
func cmdInfo(e *env, args []string) error    { return nil }
