/**
 * Corral's annotation processor as a named module, for a processor module path
 * ({@code javac --processor-module-path}); on a plain processor path it is found through
 * META-INF/services as before. Compiled into META-INF/versions/9 of a multi-release jar (see the
 * pom): the module's own tests compile processed sources on the class path.
 */
module dev.corral.processor {
    requires java.compiler;

    provides javax.annotation.processing.Processor with dev.corral.processor.CorralProcessor;
}
