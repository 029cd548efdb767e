/** The hostile-answer harness: lab answers mutated into what a hostile host could send, for property tests of every parser of host answers. */
package cem.testkit.hostile;
