scontrol show config | grep -E 'AccountingStorageType|JobCompType|JobCompLoc'
