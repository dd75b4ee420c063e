// OWL 2 profile check with the OWL API (Debian: libowlapi-java, jars in /usr/share/java).
//
// Usage: java -cp <owlapi jars> tests/java/ProfileCheck.java [--profile DL|RL|EL|QL] FILE
//
// FILE is one RDF document in any syntax the OWL API parses (Turtle, N-Triples, RDF/XML, ...);
// to check an ontology together with data, merge them into one file first, so that the data's
// triples are parsed with the ontology's declarations in view. Imports are not followed.
// Prints one line per profile violation and a summary line "violations: N"; exits 0 when N is
// 0, 1 when there are violations, 2 on a usage or load error.
import java.io.File;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWL2ELProfile;
import org.semanticweb.owlapi.profiles.OWL2QLProfile;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        String profileName = "DL";
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--profile") && i + 1 < args.length) {
                profileName = args[++i];
            } else if (path == null) {
                path = args[i];
            } else {
                path = null;
                break;
            }
        }
        if (path == null) {
            System.err.println("usage: ProfileCheck [--profile DL|RL|EL|QL] FILE");
            System.exit(2);
        }
        OWLProfile profile;
        switch (profileName) {
            case "DL": profile = new OWL2DLProfile(); break;
            case "RL": profile = new OWL2RLProfile(); break;
            case "EL": profile = new OWL2ELProfile(); break;
            case "QL": profile = new OWL2QLProfile(); break;
            default:
                System.err.println("unknown profile " + profileName);
                System.exit(2);
                return;
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getOntologyConfigurator().setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(new File(path));
        } catch (Exception e) {
            System.err.println("cannot load " + path + ": " + e);
            System.exit(2);
            return;
        }
        OWLProfileReport report = profile.checkOntology(ontology);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println(v.getClass().getSimpleName() + ": " + v.toString().replace('\n', ' '));
        }
        System.out.println("profile: " + profile.getName());
        System.out.println("axioms: " + ontology.getAxiomCount());
        System.out.println("violations: " + report.getViolations().size());
        System.exit(report.isInProfile() ? 0 : 1);
    }
}
