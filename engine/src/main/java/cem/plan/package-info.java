/** Plans: actions, resource changes with before/after values, and the JSON form shared by --json and plan files. */
package cem.plan;
