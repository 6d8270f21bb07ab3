"""Theatre data (country, its admin-1 units and their names). The core takes a theatre as data;
the Russia-Ukraine war is the first one."""
