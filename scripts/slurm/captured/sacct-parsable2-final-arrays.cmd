sacct -X --parsable2 --noheader -o JobID,JobIDRaw,JobName,State,ExitCode,Start,End -j 61,73,74
