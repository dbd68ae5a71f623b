/* global db -- mongosh gives init scripts the database as `db` */
// Run once by the mongo image's entrypoint (docker-entrypoint-initdb.d), with the
// administrator's rights, on MongoDB's first start: the user the api and worker connect as.
// Least rights: read and write (and its indexes) on database zen; no other database, no user
// or server administration.
const user = process.env.MONGO_APP_USERNAME;
const pwd = process.env.MONGO_APP_PASSWORD;
if (!user || !pwd) {
  throw new Error('MONGO_APP_USERNAME and MONGO_APP_PASSWORD must be set (see .env.example)');
}
db.getSiblingDB('zen').createUser({ user, pwd, roles: [{ role: 'readWrite', db: 'zen' }] });
