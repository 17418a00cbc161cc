sacct --parsable2 --noheader -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList -j 57,58,59,65,61
