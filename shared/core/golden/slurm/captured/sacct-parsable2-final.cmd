sacct -X --parsable2 --noheader -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment -S 2026-11-22T23:59:58 -E now
