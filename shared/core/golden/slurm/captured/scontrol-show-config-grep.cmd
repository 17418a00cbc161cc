scontrol show config | grep -E 'MinJobAge|AccountingStorageType|SLURM_VERSION|JobCompType|MaxArraySize|ClusterName'
