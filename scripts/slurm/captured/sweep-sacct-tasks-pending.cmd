sacct -X --parsable2 --noheader -j 707_0,707_1,707_2,707_3,710_0,710_1,710_2,710_3 -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment
