sinfo --noheader --format='%P|%a|%l|%L|%D|%t|%N|%c|%m'
