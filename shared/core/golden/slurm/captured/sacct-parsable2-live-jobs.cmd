sacct -X --parsable2 --noheader -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment -j 57,58,59,60,61,65,66,67,68,69,70,71,72,73,74,75
