sacct -X --parsable2 --noheader -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment -j 57
