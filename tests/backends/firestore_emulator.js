// Runs @firestore-emulator/server on 127.0.0.1 (the package itself binds 0.0.0.0).
// Usage: node firestore_emulator.js PORT   (PORT 0 picks a free one); prints "listening PORT".
const path = require("path");
const root = path.resolve(__dirname, "..", "..", "node_modules");
const { FirestoreServer } = require(path.join(root, "@firestore-emulator", "server"));
const { ServerCredentials } = require(path.join(root, "@grpc", "grpc-js"));

const emulator = new FirestoreServer();
const requested = Number(process.argv[2] || 0);
emulator.server.bindAsync(`127.0.0.1:${requested}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`cannot listen: ${error.message}`);
    process.exit(1);
  }
  console.log(`listening ${port}`);
});
process.stdin.on("end", () => process.exit(0)); // the test process went away: stop too
process.stdin.resume();
