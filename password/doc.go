// Package password hashes and verifies passwords with argon2id, in PHC string format, bounding how many hashes run at once.
package password
