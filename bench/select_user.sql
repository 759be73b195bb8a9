-- pgbench: one user by primary key, all six columns, as GET /user/{id} asks for it.
\set id random(2, 10001)
SELECT id, username, first_name, last_name, email, phone FROM "user" WHERE id = :id;
