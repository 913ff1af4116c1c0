-- One database per service (docker-compose initdb step; `make run` creates them itself).
CREATE DATABASE state_aid;
CREATE DATABASE sifo;
CREATE DATABASE energy;
CREATE DATABASE trividend;
CREATE DATABASE portfolio;
