const notAModule = 1;
