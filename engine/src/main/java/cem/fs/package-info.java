/** Facts about local paths: where a path really leads once its links are resolved. */
package cem.fs;
