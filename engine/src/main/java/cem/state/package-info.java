/** State: what cem manages, its file format and upgraders, the local store with atomic writes, a journal and locks. */
package cem.state;
