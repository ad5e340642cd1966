/// The program version written into manifests; a change re-runs every stage.
package let bansoVersion = "0.10.0"
