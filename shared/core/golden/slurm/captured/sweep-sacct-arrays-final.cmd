sacct -X --parsable2 --noheader -j 707,710 -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment
